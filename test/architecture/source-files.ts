import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The TypeScript sources of the packages and services (src folders), tests included. */
export function sourceFiles(root: string): string[] {
  const found: string[] = [];
  for (const area of ['packages', 'services']) {
    for (const unit of readdirSync(join(root, area))) walk(join(root, area, unit, 'src'), found);
  }
  return found.sort();
}

function walk(folder: string, found: string[]): void {
  let entries: ReturnType<typeof readdirSync<{ withFileTypes: true }>>;
  try {
    entries = readdirSync(folder, { withFileTypes: true }) as never;
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) walk(path, found);
    else if (entry.name.endsWith('.ts')) found.push(path);
  }
}
