// Reference inputs in the warehouse (spec/reference-inputs.md), one module for each thing stored: imported
// procedure catalogs, the staffing roster (its file and its rows) and the estimation parameter sets, each stored
// with the version that indicator rows record.

export * from './reference-inputs/catalog.ts';
export * from './reference-inputs/params.ts';
export * from './reference-inputs/staffing.ts';
export * from './reference-inputs/staffing-csv.ts';
