import { exportStatements } from '../../shared/api/settlement';
import { RawReply, route } from '../http/route';
import { periodExportCsv } from '../services/settlement';

export const handler = route(exportStatements, async ({ query }, { deps }) => new RawReply(200, 'text/csv; charset=utf-8', (await periodExportCsv(deps, query.periodKind, query.from)).csv));
