import { nfeCheckDigit } from '../../src/admin/statusUpdateInputs';

/** NF-e access keys for tests: SEFAZ's layout (UF, AAMM, CNPJ, model 55, series, number...), `n` varying the number, with the right check digit. */
export function validKey(n = 1234): string {
  const first43 = `3526121122233300018155001${String(n).padStart(9, '0')}1${String(n).padStart(8, '0')}`;
  return first43 + String(nfeCheckDigit(first43));
}
