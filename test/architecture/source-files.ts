import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The TypeScript sources of the packages and services (their src folders), tests included. */
export function sourceFiles(root: string): string[] {
  const found: string[] = [];
  for (const area of ['packages', 'services']) {
    for (const unit of readdirSync(join(root, area))) {
      const src = join(root, area, unit, 'src');
      if (!existsSync(src)) continue;
      for (const path of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
        if (path.endsWith('.ts')) found.push(join(src, path));
      }
    }
  }
  return found.sort();
}
