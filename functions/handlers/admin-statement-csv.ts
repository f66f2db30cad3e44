import { getStatementCsv } from '../../shared/api/settlement';
import { RawReply, route } from '../http/route';
import { readStatementCsv } from '../services/settlement';

export const handler = route(getStatementCsv, async ({ params }, { deps }) => new RawReply(200, 'text/csv; charset=utf-8', (await readStatementCsv(deps, params.statementId)).csv));
