-- Vigil backplane schema, version 6: decision rules and lists (ARCHITECTURE.md, "Decision rules
-- and lists"), their history, and the audit log. Postgres is the source of truth; edges learn the
-- rules and lists in force from POST /internal/rules/sync (backplane/src/rules-sync).

-- Every ruleset version ever in force, immutable: a change writes the whole ruleset again as the
-- next version (edges swap whole rulesets, never single rules), so restoring one is a copy.
CREATE TABLE rulesets (
  version    integer PRIMARY KEY CHECK (version >= 1),
  rules      jsonb NOT NULL,                -- [Rule], as core's ruleSchema validates it
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,                 -- the analyst's session subject, or 'api' for a key
  summary    text NOT NULL                  -- what changed, in words ("added rule x", "restored 3")
);

CREATE TABLE lists (
  name        text PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('customer_id', 'terminal_id', 'device_id', 'ip', 'country')),
  description text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL
);

-- The edges' sync cursor: every add, change or removal of an item takes the next number. Writers
-- serialise on an advisory lock (vigil.list_items) from before they take a number until they
-- commit, so numbers become visible in order and an edge that has seen n has seen every m < n.
CREATE SEQUENCE list_items_seq;

-- One row per (list, value) ever added. A removal keeps the row as a tombstone (removed_at) so
-- edges learn of it; tombstones older than 30 days are pruned (docs/operations.md).
CREATE TABLE list_items (
  list       text NOT NULL REFERENCES lists (name),
  value      text NOT NULL,
  reason     text NOT NULL DEFAULT '',
  expires_at timestamptz,                   -- null: never
  added_by   text NOT NULL,
  added_at   timestamptz NOT NULL,
  removed_at timestamptz,                   -- tombstone: removed at, by removed_by
  removed_by text,
  seq        bigint NOT NULL DEFAULT nextval('list_items_seq'),
  PRIMARY KEY (list, value)
);
CREATE UNIQUE INDEX list_items_by_seq ON list_items (seq);

-- Every change by a person or a program, written in the same transaction as the change. Paged
-- newest first by id (the primary key); a target's history through its own index.
CREATE TABLE audit_log (
  id     bigserial PRIMARY KEY,
  at     timestamptz NOT NULL DEFAULT now(),
  actor  text NOT NULL,
  action text NOT NULL,                     -- rule.create, list.item.add, case.resolve, …
  target text NOT NULL,                     -- rule:<id>, list:<name>, list:<name>:<value>, case:<id>
  before jsonb,
  after  jsonb
);
CREATE INDEX audit_log_target ON audit_log (target, id DESC);

-- What the rules did to each decision (decision events' optional fields, null when none matched):
-- shown by GET /api/transactions/{id}, counted by GET /api/rules as each rule's hits. Only the few
-- decisions a rule matched enter the partial index, which carries what the count reads.
ALTER TABLE transactions
  ADD COLUMN rules jsonb,                   -- [{id, action}] of the active rules that matched
  ADD COLUMN shadow_rules text[],           -- ids of the shadow rules that matched
  ADD COLUMN ruleset_version integer;
CREATE INDEX transactions_rule_hits ON transactions (scored_at) INCLUDE (rules, shadow_rules)
  WHERE rules IS NOT NULL OR shadow_rules IS NOT NULL;

-- Built in: three lists and the rules that use them (version 1).
INSERT INTO lists (name, kind, description, created_by) VALUES
  ('blocked_customers', 'customer_id', 'Cards whose payments are declined (a confirmed fraud adds the card)', 'system'),
  ('blocked_terminals', 'terminal_id', 'Terminals whose payments are declined', 'system'),
  ('allowed_customers', 'customer_id', 'Cards whose payments are approved whatever the model says', 'system');

INSERT INTO rulesets (version, rules, created_by, summary) VALUES (1, '[
  {"id": "block_listed_customers", "name": "Block listed cards",
   "description": "Decline payments by a card on blocked_customers",
   "expression": "in_list(\"blocked_customers\", tx.customer_id)", "action": "block", "mode": "active"},
  {"id": "block_listed_terminals", "name": "Block listed terminals",
   "description": "Decline payments at a terminal on blocked_terminals",
   "expression": "in_list(\"blocked_terminals\", tx.terminal_id)", "action": "block", "mode": "active"},
  {"id": "allow_listed_customers", "name": "Allow listed cards",
   "description": "Approve payments by a card on allowed_customers",
   "expression": "in_list(\"allowed_customers\", tx.customer_id)", "action": "allow", "mode": "active"}
]'::jsonb, 'system', 'built-in rules');
