-- Vigil backplane schema, version 9: the analysts' workspace (issue 17) — the queue by priority,
-- "next case" and search as you type, each served by an index so it stays fast with 100k open
-- cases and millions of transactions.

-- The queue sorts by its transaction's score, amount and their product (risk): kept on the case
-- (the consumer writes them with it, from the same decision; a decision never changes) so an
-- index on the open cases serves each order without joining every case to its transaction.
ALTER TABLE cases
  ADD COLUMN decision text,
  ADD COLUMN score double precision,
  ADD COLUMN amount double precision;
UPDATE cases c SET decision = t.decision, score = t.score, amount = t.amount
FROM transactions t WHERE t.transaction_id = c.transaction_id;
-- A case without its transaction cannot be shown or resolved (every route joins it): none exist,
-- as the consumer writes both in one statement; should one, it sorts last, not fails the migration.
UPDATE cases SET decision = 'review', score = 0, amount = 0 WHERE decision IS NULL;
ALTER TABLE cases
  ALTER COLUMN decision SET NOT NULL,
  ALTER COLUMN score SET NOT NULL,
  ALTER COLUMN amount SET NOT NULL,
  ADD CONSTRAINT cases_decision CHECK (decision IN ('review', 'decline')),
  -- Products below ~1e-300 would raise "value out of range: underflow" (float8 multiplication
  -- refuses a zero from non-zero factors) and fail the consumer's whole batch for valid events
  -- (a score of 5e-324 is a probability): a factor under 1e-150 makes the risk 0. Scores are at
  -- most 1, so the product cannot overflow.
  ADD COLUMN risk double precision GENERATED ALWAYS AS (
    CASE WHEN abs(score) < 1e-150 OR abs(amount) < 1e-150 THEN 0 ELSE score * amount END
  ) STORED;

-- One index per order over the work still to do (open and assigned cases: few beside the
-- resolved ones, so these stay small); ties fall to case_id in the order's direction, so each
-- index serves its keyset pages both ways (opened_at ascending reads it backwards).
CREATE INDEX cases_open_risk ON cases (risk DESC, case_id DESC) WHERE status <> 'resolved';
CREATE INDEX cases_open_score ON cases (score DESC, case_id DESC) WHERE status <> 'resolved';
CREATE INDEX cases_open_amount ON cases (amount DESC, case_id DESC) WHERE status <> 'resolved';
CREATE INDEX cases_open_opened ON cases (opened_at DESC, case_id DESC) WHERE status <> 'resolved';

-- Search as you type: ids by prefix, as a range in byte order (COLLATE "C"), whatever the
-- database's collation (under a linguistic one the existing indexes cannot serve a prefix). The
-- card and terminal indexes hold ts too, so a match's count and latest time are an index-only scan.
CREATE INDEX transactions_id_prefix ON transactions (transaction_id COLLATE "C");
CREATE INDEX transactions_customer_prefix ON transactions (customer_id COLLATE "C") INCLUDE (ts);
CREATE INDEX transactions_terminal_prefix ON transactions (terminal_id COLLATE "C") INCLUDE (ts);
