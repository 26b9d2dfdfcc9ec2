/** Smart IP radio (issue 4) — so far its device protocol (topics, ACL, payloads); the module follows. */
export * from './protocol.ts';
