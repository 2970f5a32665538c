/** Blocked orders as an admin sees them, from the CLI (`vitrine blocked show`) or the backoffice. */

/**
 * A few facts of the blocked payload, enough to recognise the order: no customer data (the
 * payload is the platform's order as received, and may be malformed: nothing is assumed of it).
 */
export function payloadExcerpt(payload: unknown): Record<string, string | number | null> | null {
  if (payload === null || payload === undefined) return null;
  if (typeof payload !== 'object' || Array.isArray(payload))
    return { payload: `not an order (${Array.isArray(payload) ? 'a list' : typeof payload})` };
  const doc = payload as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 80) : null);
  const items = doc.items;
  const transactions = (doc.paymentData as { transactions?: unknown } | null | undefined)?.transactions;
  const payments = Array.isArray(transactions)
    ? transactions.flatMap((t) =>
        t && typeof t === 'object' && Array.isArray((t as { payments?: unknown }).payments) ? (t as { payments: unknown[] }).payments : [],
      )
    : [];
  const paymentNames = payments
    .map((p) =>
      p && typeof p === 'object'
        ? (text((p as Record<string, unknown>).paymentSystemName) ?? text(String((p as Record<string, unknown>).paymentSystem ?? '')))
        : null,
    )
    .filter((name): name is string => Boolean(name));
  return {
    orderId: text(doc.orderId),
    status: text(doc.status),
    created: text(doc.creationDate),
    value: typeof doc.value === 'number' ? doc.value : null,
    items: Array.isArray(items) ? items.length : items === undefined ? null : `not a list (${items === null ? 'null' : typeof items})`,
    payments: paymentNames.length ? paymentNames.join(' + ') : null,
  } as Record<string, string | number | null>;
}
