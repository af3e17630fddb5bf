-- Vigil backplane schema, version 7: rule backtests (POST /api/rules/backtest).
--
-- A backtest of a rule that reads velocity.* recomputes the counters from the stored transactions
-- in event-time order (the decision events do not carry them): it pages through them by
-- (ts, transaction_id), from 30 days (the longest velocity window) before the window's earliest
-- event time. Without this index each page would sort the table. It costs each inserted decision
-- one more index entry; backtests of rules without velocity do not use it.
CREATE INDEX transactions_event_time ON transactions (ts, transaction_id);
