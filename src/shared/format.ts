/** How money and secrets are shown to people, by the CLI and the backoffice alike. */
import { sealedKeyId } from './secrets';

/** Integer cents as Brazilian reais, e.g. 1160 -> "R$ 11,60" (integer math only, never floats). */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const reais = Math.floor(abs / 100).toLocaleString('pt-BR');
  return `${sign}R$ ${reais},${String(abs % 100).padStart(2, '0')}`;
}

/** What is shown of a sealed secret: that it is encrypted, and under which key; never the secret. */
export function describeSealedSecret(sealed: string): string {
  const keyId = sealedKeyId(sealed);
  return keyId ? `encrypted (key ${keyId})` : 'not encrypted';
}
