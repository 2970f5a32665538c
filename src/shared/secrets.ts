/**
 * Secrets at rest (the vitrines' platform app tokens): AES-256-GCM under a key from
 * VITRINE_SECRET_KEY or the file VITRINE_SECRET_KEY_FILE names. Either may hold several keys (a
 * keyring, one per line or comma-separated): the first encrypts, all decrypt, so that a rotation
 * never leaves a running process unable to read. A sealed value names its key by id:
 * `v1.<key id>.<base64 of iv | tag | ciphertext>`; the id is a hash of the key, not the key.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from './config';

/** Missing, unreadable or wrong key: one line that says which and what to do. */
export class SecretKeyError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

export interface SecretKey {
  id: string;
  key: Buffer;
}

const VERSION = 'v1';
/** Binds a ciphertext to what it is: a sealed value moved into another kind of field does not open. */
const PURPOSE = Buffer.from('vitrine-order-import secret v1');

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/** A new random key, as VITRINE_SECRET_KEY and key files hold it (base64 of 32 bytes). */
export function generateSecretKey(): string {
  return randomBytes(32).toString('base64');
}

export function parseKeyring(text: string, source: string): SecretKey[] {
  const entries = text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (entries.length === 0)
    throw new SecretKeyError(`${source} holds no key (one base64 key of 32 bytes per line: npm run stack:up writes one)`);
  return entries.map((entry, index) => {
    const key = /^[0-9a-fA-F]{64}$/.test(entry) ? Buffer.from(entry, 'hex') : Buffer.from(entry, 'base64');
    if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(entry) && key.toString('base64') !== entry)) {
      throw new SecretKeyError(`${source}: key ${index + 1} is not 32 bytes in base64 (or 64 hex digits)`);
    }
    return { id: keyIdOf(key), key };
  });
}

let cachedFile: { path: string; mtimeMs: number; size: number; keys: SecretKey[] } | undefined;

/** Where the keyring comes from, for messages and for `vitrine secrets rotate`. */
export function keySource(env: NodeJS.ProcessEnv = process.env): { kind: 'env' } | { kind: 'file'; path: string } | undefined {
  if (env.VITRINE_SECRET_KEY?.trim()) return { kind: 'env' };
  if (env.VITRINE_SECRET_KEY_FILE?.trim()) return { kind: 'file', path: env.VITRINE_SECRET_KEY_FILE.trim() };
  return undefined;
}

/** The keyring; a key file is read again when it changes (a rotation reaches running processes). */
export function readSecretKeys(env: NodeJS.ProcessEnv = process.env): SecretKey[] {
  const source = keySource(env);
  if (!source) {
    throw new SecretKeyError(
      'no secret key: set VITRINE_SECRET_KEY or VITRINE_SECRET_KEY_FILE (npm run stack:up writes .data/secret.key; docs/SECURITY.md)',
    );
  }
  if (source.kind === 'env') return parseKeyring(env.VITRINE_SECRET_KEY!, 'VITRINE_SECRET_KEY');
  let stat;
  try {
    stat = statSync(source.path);
    if (cachedFile && cachedFile.path === source.path && cachedFile.mtimeMs === stat.mtimeMs && cachedFile.size === stat.size) {
      return cachedFile.keys;
    }
    const keys = parseKeyring(readFileSync(source.path, 'utf8'), `VITRINE_SECRET_KEY_FILE ${source.path}`);
    cachedFile = { path: source.path, mtimeMs: stat.mtimeMs, size: stat.size, keys };
    return keys;
  } catch (error) {
    if (error instanceof SecretKeyError) throw error;
    throw new SecretKeyError(
      `cannot read VITRINE_SECRET_KEY_FILE ${source.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

export function sealSecret(plain: string, keys: SecretKey[] = readSecretKeys()): string {
  const [current] = keys;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', current.key, iv);
  cipher.setAAD(PURPOSE);
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${VERSION}.${current.id}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
}

/** The key id a sealed value names, or undefined for a value that is not sealed. */
export function sealedKeyId(sealed: string): string | undefined {
  const match = /^v1\.([0-9a-f]{12})\./.exec(sealed);
  return match?.[1];
}

/** Opens a sealed value; `what` names it in errors ("the app token of vitrine loja-agro"). */
export function openSecret(sealed: string, what: string, keys: SecretKey[] = readSecretKeys()): string {
  const keyId = sealedKeyId(sealed);
  if (!keyId) throw new SecretKeyError(`${what} is not encrypted (run npm run migrate)`);
  const key = keys.find((k) => k.id === keyId);
  if (!key) {
    throw new SecretKeyError(
      `${what} is encrypted under key ${keyId}, and the secret key set here is ${keys.map((k) => k.id).join(', ')}: wrong VITRINE_SECRET_KEY or VITRINE_SECRET_KEY_FILE`,
    );
  }
  const packed = Buffer.from(sealed.slice(VERSION.length + keyId.length + 2), 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, packed.subarray(0, 12));
    decipher.setAAD(PURPOSE);
    decipher.setAuthTag(packed.subarray(12, 28));
    return Buffer.concat([decipher.update(packed.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretKeyError(`${what} does not decrypt under key ${keyId}: the stored value was altered`);
  }
}
