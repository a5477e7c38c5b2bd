import { createToken, listTokens, parseTokenRole, revokeToken, TokenRoleError } from '@commune-pulse/api';
import { createLogger } from '@commune-pulse/runtime';
import { openWarehouse } from '@commune-pulse/warehouse';
import { configFrom, parseCommand, UsageError } from '../args.ts';
import { formatTable } from '../output.ts';

export const TOKENS_USAGE = `usage:
  pnpm cli tokens create --name <who it is for> --role ministry|analyst|province:<code> [--json]
      prints a new API token once (only its SHA-256 is stored): keep it, it cannot be shown again
  pnpm cli tokens list [--json]
  pnpm cli tokens revoke <token id>
      the token stops working within API_TOKEN_CACHE_MS (2 s) on every running API
roles: ministry (everything), province:<code> (that province's communes only), analyst (everything, and SQL)`;

export async function tokensCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    { name: { type: 'string' }, role: { type: 'string' }, json: { type: 'boolean' } },
    TOKENS_USAGE,
    true,
  );
  if (values.help) {
    console.log(TOKENS_USAGE);
    return;
  }
  const [action, ...rest] = positionals;
  if (action !== 'create' && action !== 'list' && action !== 'revoke') {
    throw new UsageError(
      action === undefined ? 'give an action: create, list or revoke' : `unknown action: ${action}`,
      TOKENS_USAGE,
    );
  }
  let role: ReturnType<typeof parseTokenRole> | undefined;
  if (action === 'create') {
    if (!values.name?.trim()) throw new UsageError('give --name: who or what the token is for', TOKENS_USAGE);
    try {
      role = parseTokenRole(values.role ?? '');
    } catch (error) {
      if (error instanceof TokenRoleError) throw new UsageError(`--role: ${error.message}`, TOKENS_USAGE);
      throw error;
    }
  }
  if (action === 'revoke' && rest.length !== 1)
    throw new UsageError('give the id of the token to revoke', TOKENS_USAGE);
  const config = configFrom(values);
  createLogger('cli', config.logLevel);
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  try {
    if (action === 'create' && role !== undefined) {
      const { token, record } = await createToken(warehouse, (values.name as string).trim(), role);
      if (values.json) console.log(JSON.stringify({ token, ...record }));
      else {
        console.log(token);
        console.error(`token ${record.tokenId} for ${record.name} (${record.role}): shown once, keep it safe`);
      }
    } else if (action === 'list') {
      const tokens = await listTokens(warehouse);
      if (values.json) console.log(JSON.stringify(tokens));
      else
        console.log(
          formatTable(
            tokens.map((t) => ({
              id: t.tokenId,
              name: t.name,
              role: t.role,
              created: t.createdAt,
              revoked: t.revokedAt ?? '',
            })),
          ),
        );
    } else {
      const id = rest[0] as string;
      if (!(await revokeToken(warehouse, id)))
        throw new UsageError(`no token with id ${id} (pnpm cli tokens list)`, TOKENS_USAGE);
      console.log(`token ${id} revoked`);
    }
  } finally {
    await warehouse.close();
  }
}
