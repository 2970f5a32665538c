/**
 * Deterministic randomness, Brazilian document numbers and VTEX formats for the generator.
 * No Math.random: the same seed must give the same orders on every run and every machine.
 */

export const DAY = 86_400_000;

/** .NET-style timestamp like VTEX sends: "2024-02-04T20:09:43.8990000+00:00". */
export function vtexDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '0000+00:00');
}

/** 32-bit FNV-1a of a string: turns any seed (number or text) into PRNG state. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes two 32-bit values (murmur3 finalizer), so neighbouring indexes get unrelated streams. */
export function mix32(a: number, b: number): number {
  let h = (a ^ Math.imul(b + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: tiny, fast and good enough for test data. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }

  weighted<T>(list: ReadonlyArray<readonly [T, number]>): T {
    const total = list.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [value, w] of list) {
      r -= w;
      if (r < 0) return value;
    }
    return list[list.length - 1][0];
  }

  digits(count: number): string {
    let out = '';
    for (let i = 0; i < count; i++) out += String(this.int(0, 9));
    return out;
  }

  /** Uppercase hex, the look of VTEX ids (transactionId, uniqueId...). */
  hex(count: number): string {
    let out = '';
    for (let i = 0; i < count; i++) out += '0123456789ABCDEF'[this.int(0, 15)];
    return out;
  }

  /** Lowercase UUID-looking string (version 4 layout). */
  uuid(): string {
    const h = this.hex(32).toLowerCase();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/** Mod-11 check digit used by CPF and CNPJ. */
function mod11(digits: number[], weights: number[]): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += digits[i] * weights[i];
  const rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

/** CPF digits (11, check digits included) from 9 base digits. */
export function cpfDigits(base: string): string {
  const d = [...base].map(Number);
  d.push(mod11(d, [10, 9, 8, 7, 6, 5, 4, 3, 2]));
  d.push(mod11(d, [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]));
  return d.join('');
}

/** True when an 11-digit CPF (any punctuation) has valid check digits and is not all one digit. */
export function isValidCpf(value: string): boolean {
  const digits = value.replace(/\D/g, '');
  if (digits.length !== 11 || /^(\d)\1{10}$/.test(digits)) return false;
  return cpfDigits(digits.slice(0, 9)) === digits;
}

export function formatCpf(digits: string): string {
  return `${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6, 9)}-${digits.slice(9)}`;
}

/** A valid CPF, formatted like the contract's example ("845.134.270-19"). */
export function randomCpf(rng: Rng): string {
  let base = rng.digits(9);
  if (/^(\d)\1{8}$/.test(base)) base = '1' + base.slice(1, 8) + '2';
  return formatCpf(cpfDigits(base));
}

/** CNPJ digits (14) from 12 base digits (8 company digits + 4 branch digits). */
export function cnpjDigits(base: string): string {
  const d = [...base].map(Number);
  d.push(mod11(d, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]));
  d.push(mod11(d, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]));
  return d.join('');
}

export function isValidCnpj(value: string): boolean {
  const digits = value.replace(/\D/g, '');
  if (digits.length !== 14 || /^(\d)\1{13}$/.test(digits)) return false;
  return cnpjDigits(digits.slice(0, 12)) === digits;
}

/** A valid head-office CNPJ ("/0001"), formatted "11.222.333/0001-81". */
export function randomCnpj(rng: Rng): string {
  const d = cnpjDigits(rng.digits(8) + '0001');
  return `${d.slice(0, 2)}.${d.slice(2, 5)}.${d.slice(5, 8)}/${d.slice(8, 12)}-${d.slice(12)}`;
}

/** EAN-13 with a valid check digit. */
export function ean13(base12: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(base12[i]) * (i % 2 === 0 ? 1 : 3);
  return base12 + String((10 - (sum % 10)) % 10);
}

/** "Lúcio Costa" → "lucio-costa": for e-mails and URLs. */
export function slug(text: string, separator = '-'): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, separator)
    .replace(new RegExp(`^\\${separator}+|\\${separator}+$`, 'g'), '');
}
