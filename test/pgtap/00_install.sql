BEGIN;
SELECT plan(2);
SELECT has_schema('calib');
SELECT has_type('calib', 'bin', 'calib.bin exists');
SELECT * FROM finish();
ROLLBACK;
