-- Who may use calib (docs/security.md).  CREATE EXTENSION creates schema
-- calib and, like any new schema, it is closed to PUBLIC.  The functions
-- and types compute only from their arguments and run with the caller's
-- rights (nothing is SECURITY DEFINER), and EXECUTE on functions is granted
-- to PUBLIC by default, so every role may use them.  Tables the extension
-- creates get no grants here: what they hold is for their owner to share.
GRANT USAGE ON SCHEMA calib TO PUBLIC;
