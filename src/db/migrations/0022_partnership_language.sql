-- A partnership's languages (issue 11): the language its pages open in for someone who has made no
-- choice of their own, and whether Welsh is offered at all. Welsh is offered by Welsh partnerships
-- from the start (Welsh Language Standards) and can be switched on by any other. Changed by the
-- partnership's administrators only (the partnerships_own policy of 0009).
ALTER TABLE partnerships
  ADD COLUMN default_language text NOT NULL DEFAULT 'en' CHECK (default_language IN ('en', 'cy')),
  ADD COLUMN offers_welsh boolean;
UPDATE partnerships SET offers_welsh = (nation = 'wales');
ALTER TABLE partnerships ALTER COLUMN offers_welsh SET NOT NULL;
-- Welsh cannot be the default of a partnership that does not offer it.
ALTER TABLE partnerships ADD CONSTRAINT partnerships_default_language_offered CHECK (offers_welsh OR default_language = 'en');

-- A new partnership offers Welsh if it is in Wales, unless it says otherwise.
CREATE FUNCTION lantern_partnership_offers_welsh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.offers_welsh := coalesce(NEW.offers_welsh, NEW.nation = 'wales');
  RETURN NEW;
END
$$;
CREATE TRIGGER partnerships_offers_welsh BEFORE INSERT ON partnerships FOR EACH ROW EXECUTE FUNCTION lantern_partnership_offers_welsh();

GRANT UPDATE (default_language, offers_welsh) ON partnerships TO lantern_app;
