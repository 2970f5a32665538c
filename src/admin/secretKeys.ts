/**
 * `vitrine secrets`: which keys the stored secrets are sealed under, and the rotation to a new
 * key. The rotation never leaves a moment where a running process cannot read a secret: the key
 * file first holds the new key and the old ones (processes re-read it when it changes), then every
 * secret is re-sealed in one transaction, then the file keeps only the new key.
 */
import { renameSync, writeFileSync } from 'node:fs';
import type { Knex } from 'knex';
import { lockSealedTokens, saveSealedToken, sealedTokenKeys } from '../erp/store/vitrines';
import { generateSecretKey, keySource, openSecret, parseKeyring, readSecretKeys, sealSecret, SecretKeyError } from '../shared/secrets';

export interface SecretsStatus {
  source: string;
  /** The key new secrets are sealed under, then the others the keyring holds. */
  keys: string[];
  /** Stored secrets by the key id they are sealed under. */
  sealed: Record<string, number>;
  /** Secrets under a key this keyring lacks: they cannot be read here. */
  unreadable: number;
}

export async function secretsStatus(db: Knex, env: NodeJS.ProcessEnv = process.env): Promise<SecretsStatus> {
  const keys = readSecretKeys(env);
  const sealed = Object.fromEntries(await sealedTokenKeys(db));
  const known = new Set(keys.map((k) => k.id));
  const unreadable = Object.entries(sealed)
    .filter(([id]) => !known.has(id))
    .reduce((sum, [, count]) => sum + count, 0);
  const source = keySource(env);
  return {
    source: source?.kind === 'file' ? `VITRINE_SECRET_KEY_FILE ${source.path}` : 'VITRINE_SECRET_KEY',
    keys: keys.map((k) => k.id),
    sealed,
    unreadable,
  };
}

function writeKeyFile(path: string, keys: string[]): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${keys.join('\n')}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Re-seals every stored secret under a new key, written to the key file; returns the new key id and the count. */
export async function rotateSecrets(
  db: Knex,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ keyId: string; resealed: number; path: string }> {
  const source = keySource(env);
  if (source?.kind !== 'file') {
    throw new SecretKeyError(
      'vitrine secrets rotate writes the new key to the key file: set VITRINE_SECRET_KEY_FILE (the key in VITRINE_SECRET_KEY cannot be rewritten)',
    );
  }
  const old = readSecretKeys(env);
  const fresh = generateSecretKey();
  const [next] = parseKeyring(fresh, 'the new key');
  const oldText = old.map((k) => k.key.toString('base64'));
  // 1. Every process can read both from now on (and seals under the new one).
  writeKeyFile(source.path, [fresh, ...oldText]);
  const keyring = [next, ...old];
  // 2. Every secret under the new key, or none (a secret that does not open stops it all).
  const resealed = await db.transaction(async (trx) => {
    const rows = await lockSealedTokens(trx);
    for (const row of rows) {
      const plain = openSecret(row.sealed, `the app token of vitrine ${row.code}`, keyring);
      await saveSealedToken(trx, row.id, sealSecret(plain, keyring));
    }
    return rows.length;
  });
  // 3. The old keys go.
  writeKeyFile(source.path, [fresh]);
  return { keyId: next.id, resealed, path: source.path };
}
