/**
 * DynamoDB faults on purpose, for the crash harness (bench/chaos/, docs/chaos.md): off unless
 * CHAOS_DYNAMODB_FAULT_RATE is set, so nothing deployed ever runs it. Each command fails with that
 * probability in one of the ways DynamoDB really fails: a transaction cancelled by a conflict,
 * ProvisionedThroughputExceededException, ThrottlingException, or a timeout after the write committed
 * (sent, then thrown: the caller cannot know it happened). Every fault is appended to
 * CHAOS_FAULT_LOG (one kind a line, written at once so a SIGKILL does not lose the count).
 * CHAOS_DYNAMODB_FAULT_KINDS (comma-separated) narrows the kinds, for tests of one kind.
 */
import { appendFileSync } from 'node:fs';
import { DynamoDBServiceException, TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

export const FAULT_KINDS = ['transaction_conflict', 'provisioned_throughput', 'throttling', 'timeout_after_commit'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand', 'BatchWriteItemCommand']);

/** Installs the faults on the client when the environment asks for them; otherwise does nothing. */
export function installFaultInjection(client: DynamoDBClient, env: NodeJS.ProcessEnv = process.env): void {
  const rate = Number(env.CHAOS_DYNAMODB_FAULT_RATE ?? 0);
  if (!(rate > 0)) return;
  const log = env.CHAOS_FAULT_LOG;
  const allowed = env.CHAOS_DYNAMODB_FAULT_KINDS ? new Set(env.CHAOS_DYNAMODB_FAULT_KINDS.split(',')) : undefined;
  const record = (kind: FaultKind) => {
    if (log) appendFileSync(log, `${kind}\n`);
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (Math.random() >= rate) return next(args);
      const command = context.commandName ?? '';
      const kinds = FAULT_KINDS.filter((kind) => (allowed ? allowed.has(kind) : true) && (kind === 'transaction_conflict' ? command === 'TransactWriteItemsCommand' : kind === 'timeout_after_commit' ? WRITES.has(command) : true));
      if (kinds.length === 0) return next(args);
      const kind = kinds[Math.floor(Math.random() * kinds.length)]!;
      record(kind);
      const $metadata = { httpStatusCode: 400 };
      switch (kind) {
        case 'transaction_conflict': {
          const items = ((args.input as { TransactItems?: unknown[] }).TransactItems ?? []).length;
          throw new TransactionCanceledException({
            message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict] (injected)',
            $metadata,
            CancellationReasons: Array.from({ length: Math.max(items, 1) }, (_, i) => (i === items - 1 ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' } : { Code: 'None' })),
          });
        }
        case 'provisioned_throughput':
        case 'throttling': {
          const name = kind === 'throttling' ? 'ThrottlingException' : 'ProvisionedThroughputExceededException';
          throw new DynamoDBServiceException({ name, $fault: 'client', $metadata, message: `${name} (injected)` });
        }
        case 'timeout_after_commit': {
          await next(args);
          const error = new Error('socket timed out after the request was sent (injected; the write committed)');
          error.name = 'TimeoutError';
          throw error;
        }
      }
    },
    { step: 'initialize', name: 'chaosFaultInjection' },
  );
}
