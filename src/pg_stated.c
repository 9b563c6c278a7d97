/*
 * pg_stated.c -- calib.parse_confidence and calib.parse_confidence_details:
 * thin glue over src/stated.c (the rules are in docs/stated.md).
 */
#include "pg_calib.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "stated.h"

static void
parse_arg(FunctionCallInfo fcinfo, CalibStated *r, text **t)
{
	*t = PG_GETARG_TEXT_PP(0);
	calib_stated_parse(VARDATA_ANY(*t), VARSIZE_ANY_EXHDR(*t), r);
}

/* calib.parse_confidence(text): the stated confidence in [0, 1], NULL when
 * the text states none or states one outside [0, 1]. */
PG_FUNCTION_INFO_V1(calib_parse_confidence);
Datum
calib_parse_confidence(PG_FUNCTION_ARGS)
{
	CalibStated r;
	text	   *t;

	parse_arg(fcinfo, &r, &t);
	if (r.kind == CALIB_STATED_NONE || isnan(r.value))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(r.value);
}

/* calib.parse_confidence_details(text): (confidence, matched, kind); NULL
 * when nothing is stated; confidence NULL when the value read is outside
 * [0, 1]. */
PG_FUNCTION_INFO_V1(calib_parse_confidence_details);
Datum
calib_parse_confidence_details(PG_FUNCTION_ARGS)
{
	CalibStated r;
	text	   *t;
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	parse_arg(fcinfo, &r, &t);
	if (r.kind == CALIB_STATED_NONE)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "calib.parse_confidence_details must return a composite type");
	tupdesc = BlessTupleDesc(tupdesc);
	if (isnan(r.value))
		nulls[0] = true;
	else
		values[0] = Float8GetDatum(r.value);
	values[1] = PointerGetDatum(cstring_to_text_with_len(VARDATA_ANY(t) + r.match_start,
														 (int) r.match_len));
	values[2] = CStringGetTextDatum(calib_stated_kind_name(r.kind));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
