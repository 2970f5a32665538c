/**
 * What a failed step becomes: its failure type decides whether Temporal tries it again
 * (src/activities/failures.ts), and its message never quotes a value the database refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { asFailure } from '../../src/activities/failures';
import { blockReason } from '../../src/importing/blocking';
import { OrderRejectedError } from '../../src/importing/orderRules';
import { databaseErrorClass, describeDatabaseError } from '../../src/erp/databaseErrors';
import { PlatformError } from '../../src/platform/types';
import { FAILURE_TYPES, NON_RETRYABLE_FAILURE_TYPES } from '../../src/shared/failureTypes';

/** An error shaped as the pg driver throws them. */
function pgError(code: string, message: string, fields: Record<string, string> = {}): Error {
  return Object.assign(new Error(message), { code, severity: 'ERROR', ...fields });
}

function failure(error: unknown): ApplicationFailure {
  const result = asFailure(error, 'order import of vitrine 7');
  assert.ok(result instanceof ApplicationFailure, `an ApplicationFailure, got ${String(result)}`);
  return result;
}

describe('failure types', () => {
  const cases: Array<[string, unknown, string, boolean]> = [
    ['a platform 503', new PlatformError('VTEX getOrder 1-01: HTTP 503', true, 503), FAILURE_TYPES.platformUnavailable, false],
    ['a platform 403', new PlatformError('VTEX fetchQueue: HTTP 403', false, 403), FAILURE_TYPES.platformRejected, true],
    [
      'Postgres shutting down',
      pgError('57P01', 'terminating connection due to administrator command'),
      FAILURE_TYPES.erpUnavailable,
      false,
    ],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      FAILURE_TYPES.erpUnavailable,
      false,
    ],
    ['a connection cut', new Error('Connection terminated unexpectedly'), FAILURE_TYPES.erpUnavailable, false],
    ['a serialization failure', pgError('40001', 'could not serialize access'), FAILURE_TYPES.erpUnavailable, false],
    ['a deadlock', pgError('40P01', 'deadlock detected'), FAILURE_TYPES.erpUnavailable, false],
    [
      'a missing table',
      pgError('42P01', 'insert into "carriers" ... - relation "carriers" does not exist'),
      FAILURE_TYPES.erpSchemaMissing,
      true,
    ],
    ['a missing column', pgError('42703', 'column "produtor_rural" does not exist'), FAILURE_TYPES.erpSchemaMissing, true],
    ['too many bind parameters', pgError('08P01', 'bind message supplies 70000 parameters'), FAILURE_TYPES.erpStatementRejected, true],
    ['a syntax error', pgError('42601', 'syntax error at or near "selct"'), FAILURE_TYPES.erpStatementRejected, true],
    [
      'a value refused outside an order',
      pgError('22P02', 'invalid input syntax for type bigint: "maria@example.com"'),
      FAILURE_TYPES.erpDataRejected,
      true,
    ],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'sku')"), FAILURE_TYPES.importBug, true],
  ];
  for (const [what, error, type, nonRetryable] of cases) {
    it(`${what}: ${type}, ${nonRetryable ? 'not retried' : 'retried'}`, () => {
      const f = failure(error);
      assert.equal(f.type, type);
      assert.equal(f.nonRetryable, nonRetryable);
      assert.equal(NON_RETRYABLE_FAILURE_TYPES.includes(type), nonRetryable, 'the workflow retry policy agrees');
      assert.match(f.message, /^order import of vitrine 7: /);
    });
  }

  it('a Retry-After of the platform becomes the next retry delay', () => {
    assert.equal(failure(new PlatformError('VTEX getOrder: HTTP 429', true, 429, 7)).nextRetryDelay, '7s');
  });

  it('leaves an error it cannot name as it is: retried, and bounded by the retry policy', () => {
    const odd = new Error('something else');
    assert.equal(asFailure(odd, 'x'), odd);
    assert.equal(databaseErrorClass(odd), undefined);
  });

  it('never quotes the value Postgres quotes', () => {
    const described = describeDatabaseError(
      pgError('22P02', 'invalid input syntax for type bigint: "maria@example.com"', { table: 'customers', column: 'phone' }),
    );
    assert.equal(described, 'the ERP database refused it with SQLSTATE 22P02 (a value of the wrong type), table customers, column phone');
    assert.ok(
      !failure(pgError('23505', 'duplicate key value violates unique constraint "x" Key (document)=(12345678909)')).message.includes(
        '12345678909',
      ),
    );
    // Schema errors name objects, not values: their own words are kept, without the statement.
    assert.equal(
      describeDatabaseError(pgError('42P01', 'insert into "carriers" ("code") values ($1) - relation "carriers" does not exist')),
      'the ERP database refused it with SQLSTATE 42P01 (a table that does not exist): relation "carriers" does not exist',
    );
  });

  it("an order blocked for what failed on it alone says why, in words that name code and schema, not the order's data", () => {
    assert.equal(blockReason(new OrderRejectedError('unmapped payment type Crediário Loja')), 'unmapped payment type Crediário Loja');
    assert.equal(
      blockReason(pgError('22001', 'value too long for type character varying(20)', { column: 'phone' })),
      'the ERP database refused it with SQLSTATE 22001 (a value too long for its column), column phone',
    );
    assert.equal(
      blockReason(new TypeError("Cannot read properties of null (reading 'document')")),
      "the import failed on this order (TypeError: Cannot read properties of null (reading 'document'))",
    );
  });
});
