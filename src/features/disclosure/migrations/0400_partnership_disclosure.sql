-- A partnership's disclosure control (issue 13 §2, docs/DISCLOSURE.md): published counts from 1 to
-- the threshold are shown as the symbol. The DfE convention (5, 'c') by default; a health partner may
-- need another (e.g. 7, '*'). Changed by the partnership's administrators only (the
-- partnerships_own policy of 0009), as its languages are (0022).
ALTER TABLE partnerships
  ADD COLUMN disclosure_threshold integer NOT NULL DEFAULT 5 CHECK (disclosure_threshold BETWEEN 1 AND 20),
  -- 1 to 3 characters, none a digit or a space (it would read as a count), never z (not applicable).
  ADD COLUMN disclosure_symbol text NOT NULL DEFAULT 'c' CHECK (disclosure_symbol ~ '^[^[:digit:][:space:]]{1,3}$' AND lower(disclosure_symbol) <> 'z');

GRANT UPDATE (disclosure_threshold, disclosure_symbol) ON partnerships TO lantern_app;
