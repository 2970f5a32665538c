/**
 * Reads the Temporal history of an import's runs: every execution of every run (continue-as-new
 * included), with its payloads decoded, to search it for secrets and customer data, and to count
 * activity retries.
 */
import type { Client } from '@temporalio/client';

export interface RunHistory {
  workflowId: string;
  runId: string;
  status: string;
  events: number;
  /** The whole history as JSON, every base64 payload decoded to text. */
  text: string;
  /**
   * Retries per activity type: sum of (attempt - 1) over its ActivityTaskStarted events, and over
   * the markers of local activities (queue fetch and commit, run bookkeeping), which record theirs.
   */
  retries: Record<string, number>;
  /** Activities whose last attempt ended in a timeout (start-to-close or heartbeat). */
  timeouts: Record<string, number>;
}

/** The marker the SDK records for each completed local activity. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** The activity type and attempt a local activity marker records (JSON in its `data` detail). */
function localActivityAttempt(data: Uint8Array | null | undefined): { type: string; attempt: number } | undefined {
  if (!data) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: unknown; attempt?: unknown };
    return typeof parsed.activity_type === 'string' && typeof parsed.attempt === 'number'
      ? { type: parsed.activity_type, attempt: parsed.attempt }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Payloads are base64 in history: decodes every one (as test/integration/import.test.ts does). */
export function decodePayloads(json: string): string {
  return json.replace(
    /"data":"([A-Za-z0-9+/=]+)"/g,
    (_m, data: string) => `"data":${JSON.stringify(Buffer.from(data, 'base64').toString('utf8'))}`,
  );
}

/**
 * Every execution of the vitrine's import workflows (found by the VitrineCode search attribute and
 * by the given workflow ids): the finished ones, and any still running (a stuck run is read too).
 */
export async function runHistories(client: Client, vitrineCode: string, knownWorkflowIds: string[] = []): Promise<RunHistory[]> {
  const executions = new Map<string, { workflowId: string; runId: string; status: string }>();
  const queries = [`VitrineCode = "${vitrineCode}"`, ...knownWorkflowIds.map((id) => `WorkflowId = "${id}"`)];
  for (const query of queries) {
    for await (const info of client.workflow.list({ query })) {
      executions.set(info.runId, { workflowId: info.workflowId, runId: info.runId, status: info.status.name });
    }
  }
  const out: RunHistory[] = [];
  for (const execution of executions.values()) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const events = history.events ?? [];
    const typeOfScheduled = new Map<string, string>();
    const retries: Record<string, number> = {};
    const timeouts: Record<string, number> = {};
    for (const event of events) {
      const id = String(event.eventId);
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled) typeOfScheduled.set(id, scheduled.activityType?.name ?? '?');
      const started = event.activityTaskStartedEventAttributes;
      if (started) {
        const type = typeOfScheduled.get(String(started.scheduledEventId)) ?? '?';
        retries[type] = (retries[type] ?? 0) + Math.max(0, (started.attempt ?? 1) - 1);
      }
      const marker = event.markerRecordedEventAttributes;
      if (marker?.markerName === LOCAL_ACTIVITY_MARKER) {
        const local = localActivityAttempt(marker.details?.data?.payloads?.[0]?.data);
        if (local) retries[local.type] = (retries[local.type] ?? 0) + Math.max(0, local.attempt - 1);
      }
      const timedOut = event.activityTaskTimedOutEventAttributes;
      if (timedOut) {
        const type = typeOfScheduled.get(String(timedOut.scheduledEventId)) ?? '?';
        timeouts[type] = (timeouts[type] ?? 0) + 1;
      }
    }
    out.push({ ...execution, events: events.length, text: decodePayloads(JSON.stringify(history)), retries, timeouts });
  }
  return out;
}

/** The values of `needles` (at least `minLength` characters) found in `haystack`. */
export function findValues(haystack: string, needles: Iterable<string>, minLength = 6): string[] {
  const found = new Set<string>();
  for (const needle of needles) {
    if (needle.length >= minLength && haystack.includes(needle)) found.add(needle);
  }
  return [...found];
}
