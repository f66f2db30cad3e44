import { getHealth } from '../../shared/api/operations';
import { Reply, route } from '../http/route';
import { describeTableStatus } from '../store/health';

export const handler = route(getHealth, async (_input, { deps, logger }) => {
  const started = Date.now();
  const time = deps.clock().toISOString();
  try {
    const tableStatus = await describeTableStatus(deps.db);
    return { status: 'ok' as const, time, dynamodb: { reachable: true, table: deps.db.tableName, tableStatus, latencyMs: Date.now() - started } };
  } catch (error) {
    logger.warn('health: DynamoDB unreachable', { error });
    return new Reply(503, {
      status: 'unavailable' as const,
      time,
      dynamodb: { reachable: false, table: deps.db.tableName, latencyMs: Date.now() - started },
    });
  }
});
