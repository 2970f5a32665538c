/** How money and secrets are shown to people, by the CLI and the backoffice alike. */

/** Integer cents as Brazilian reais, e.g. 1160 -> "R$ 11,60" (integer math only, never floats). */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const reais = Math.floor(abs / 100).toLocaleString('pt-BR');
  return `${sign}R$ ${reais},${String(abs % 100).padStart(2, '0')}`;
}

/** Shows that a secret is set without showing it. */
export function maskSecret(secret: string): string {
  return secret.length > 12 ? `****${secret.slice(-4)}` : '****';
}
