/**
 * Kept while the water mode still imports it from here: the terminal's one id maker is the client's
 * newRequestId (shared/terminal-client).
 */
export { newRequestId as newTerminalId } from '@shared/terminal-client';
