-- calib 0.1.0 -> 0.2.0: ALTER EXTENSION calib UPDATE TO '0.2.0'.
-- Every change made to sql/parts/ after 0.1.0 stands here too, in the same
-- order; test/suites/upgrade.sh checks that an updated 0.1.0 equals a fresh
-- install of 0.2.0, object by object.

\echo Use "ALTER EXTENSION calib UPDATE TO '0.2.0'" to load this file. \quit
