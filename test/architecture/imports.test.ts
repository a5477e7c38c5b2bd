import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/processes.ts';
import { sourceFiles } from './source-files.ts';

/**
 * The import graph's rules, read from the source files (not from a build):
 *   - no service imports another service, by package name or by a relative path; no package imports a service;
 *   - bullmq and ioredis are imported only by the job layer (packages/runtime/src/jobs.ts);
 *   - kafkajs is imported only inside packages/bus.
 * Production code only: packages/<name>/src, services/<name>/src, bench (tests and their support may
 * reach Redis and Kafka directly to check what the code did).
 */

/** The composition root: the CLI starts every service in-process, so it may import them all. */
const COMPOSITION_ROOTS = ['services/cli'];
const JOB_LAYER = ['packages/runtime/src/jobs.ts'];
const BUS = 'packages/bus/';

/**
 * Imports that break a rule today and are being moved (issue 13). Each entry must still break its rule: when a
 * file stops importing the module, delete its entry, so the list can only shrink.
 */
const KNOWN_VIOLATIONS: readonly { file: string; module: string; why: string }[] = [];

interface Violation {
  file: string;
  module: string;
  rule: string;
}

const posix = (path: string) => path.split(sep).join('/');

/** The production sources: packages' and services' src folders (main's sourceFiles), and the bench's files. */
function productionFiles(root: string): string[] {
  const bench = readdirSync(join(root, 'bench'))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(root, 'bench', name));
  return [...sourceFiles(root), ...bench].filter((path) => !path.endsWith('.test.ts'));
}

/** Every module a file names: static and type imports, re-exports, dynamic imports, require. */
function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((entry) => entry.fileName);
}

/** The package a specifier names: `@scope/name` or `name`, without a subpath. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** `services/<name>` or `packages/<name>` of a repository path, if it is in one. */
function unitOf(path: string): string | undefined {
  const match = /^(services|packages)\/([^/]+)\//.exec(path);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

function serviceUnits(root: string): Map<string, string> {
  const byPackage = new Map<string, string>();
  for (const name of readdirSync(join(root, 'services'))) {
    const manifest = join(root, 'services', name, 'package.json');
    if (existsSync(manifest)) byPackage.set(JSON.parse(readFileSync(manifest, 'utf8')).name, `services/${name}`);
  }
  return byPackage;
}

/** The rules for one file of the repository (`file` relative to the root, posix separators). */
function violationsOf(file: string, text: string, services: Map<string, string>): Violation[] {
  const own = unitOf(file);
  const found: Violation[] = [];
  for (const specifier of importsOf(text)) {
    const target = specifier.startsWith('.') ? posix(join(dirname(file), specifier)) : undefined;
    const imported = target ? unitOf(`${target}/`) : services.get(packageOf(specifier));
    // bench and other tools outside packages/ and services/ are not units of the graph
    if (own && imported?.startsWith('services/') && imported !== own && !COMPOSITION_ROOTS.includes(own)) {
      found.push({
        file,
        module: specifier,
        rule: own.startsWith('services/') ? 'service imports a service' : 'imports a service',
      });
    }
    const name = packageOf(specifier);
    if ((name === 'bullmq' || name === 'ioredis') && !JOB_LAYER.includes(file)) {
      found.push({ file, module: name, rule: 'bullmq/ioredis outside the job layer' });
    }
    if (name === 'kafkajs' && !file.startsWith(BUS)) {
      found.push({ file, module: name, rule: 'kafkajs outside packages/bus' });
    }
  }
  return found;
}

/** The same rules for a package.json's dependencies. */
function manifestViolationsOf(file: string, manifest: Record<string, unknown>, services: Map<string, string>) {
  const own = unitOf(file);
  const dependencies = Object.keys({
    ...(manifest.dependencies as object | undefined),
    ...(manifest.devDependencies as object | undefined),
  });
  const found: Violation[] = [];
  for (const name of dependencies) {
    const imported = services.get(name);
    if (imported && imported !== own && !COMPOSITION_ROOTS.includes(own ?? '')) {
      found.push({ file, module: name, rule: 'depends on a service' });
    }
    if ((name === 'bullmq' || name === 'ioredis') && own !== 'packages/runtime') {
      found.push({ file, module: name, rule: 'bullmq/ioredis outside the job layer' });
    }
  }
  return found;
}

function repositoryViolations(root: string): Violation[] {
  const services = serviceUnits(root);
  const fromSources = productionFiles(root).flatMap((path) =>
    violationsOf(posix(relative(root, path)), readFileSync(path, 'utf8'), services),
  );
  const manifests = ['packages', 'services'].flatMap((parent) =>
    readdirSync(join(root, parent))
      .map((name) => join(root, parent, name, 'package.json'))
      .filter((path) => existsSync(path)),
  );
  const fromManifests = manifests.flatMap((path) =>
    manifestViolationsOf(posix(relative(root, path)), JSON.parse(readFileSync(path, 'utf8')), services),
  );
  return [...fromSources, ...fromManifests];
}

const known = (violation: Violation) =>
  KNOWN_VIOLATIONS.some((entry) => entry.file === violation.file && packageOf(violation.module) === entry.module);

describe('the import graph', () => {
  const violations = repositoryViolations(resolve(REPO_ROOT));

  it('has no violation outside the known list', () => {
    expect(violations.filter((violation) => !known(violation))).toEqual([]);
  });

  it('still has every violation of the known list (the list only shrinks)', () => {
    const stale = KNOWN_VIOLATIONS.filter(
      (entry) =>
        !violations.some((violation) => violation.file === entry.file && packageOf(violation.module) === entry.module),
    );
    expect(stale, 'these no longer break their rule: delete them from KNOWN_VIOLATIONS').toEqual([]);
  });

  it('reads every production file (the scan is not empty)', () => {
    const files = productionFiles(resolve(REPO_ROOT)).map((path) => posix(relative(REPO_ROOT, path)));
    expect(files).toContain('packages/runtime/src/jobs.ts');
    expect(files).toContain('services/reporter/src/service.ts');
    expect(files).toContain('bench/run.ts');
    expect(files.some((file) => file.endsWith('.test.ts'))).toBe(false);
  });
});

describe('the rules themselves', () => {
  const services = new Map([
    ['@commune-pulse/estimator', 'services/estimator'],
    ['@commune-pulse/reporter', 'services/reporter'],
    ['@commune-pulse/cli', 'services/cli'],
  ]);

  it('finds a service importing another service, by name, subpath, type import, re-export or relative path', () => {
    const text = [
      "import { weekPeriod } from '@commune-pulse/estimator';",
      "import type { Period } from '@commune-pulse/estimator/src/periods.ts';",
      "export { x } from '../../estimator/src/queue.ts';",
      "const lazy = await import('@commune-pulse/estimator');",
      "import { own } from './own.ts';",
      "import { runtime } from '@commune-pulse/runtime';",
    ].join('\n');
    expect(violationsOf('services/reporter/src/service.ts', text, services).map((v) => v.module)).toEqual([
      '@commune-pulse/estimator',
      '@commune-pulse/estimator/src/periods.ts',
      '../../estimator/src/queue.ts',
      '@commune-pulse/estimator',
    ]);
    // from a package, the same relative path lands in packages/estimator, which is no service
    expect(violationsOf('packages/warehouse/src/x.ts', text, services)).toHaveLength(3);
    expect(
      violationsOf('packages/warehouse/src/x.ts', "import '../../../services/reporter/src/index.ts';", services),
    ).toHaveLength(1);
    expect(violationsOf('services/cli/src/commands/report.ts', text, services)).toEqual([]);
  });

  it('finds bullmq, ioredis and kafkajs outside their adapters', () => {
    const text =
      "import { Queue } from 'bullmq';\nimport type { Redis } from 'ioredis';\nimport kafkajs from 'kafkajs';";
    expect(violationsOf('services/alerter/src/service.ts', text, services).map((v) => v.rule)).toEqual([
      'bullmq/ioredis outside the job layer',
      'bullmq/ioredis outside the job layer',
      'kafkajs outside packages/bus',
    ]);
    expect(violationsOf('packages/runtime/src/jobs.ts', text, services).map((v) => v.module)).toEqual(['kafkajs']);
    expect(violationsOf('packages/bus/src/kafka.ts', text, services).map((v) => v.module)).toEqual([
      'bullmq',
      'ioredis',
    ]);
  });

  it('finds a service dependency and a Redis client in a package.json', () => {
    const manifest = { dependencies: { '@commune-pulse/estimator': 'workspace:*', bullmq: '6.7.0' } };
    expect(manifestViolationsOf('services/reporter/package.json', manifest, services).map((v) => v.rule)).toEqual([
      'depends on a service',
      'bullmq/ioredis outside the job layer',
    ]);
    expect(manifestViolationsOf('packages/runtime/package.json', manifest, services).map((v) => v.rule)).toEqual([
      'depends on a service',
    ]);
  });
});
