/*
 * casedb_int.h - what the store's other modules (the content index, invindex.c) need
 * of an open case store: its SQLite handle and its error wording. Private to src/store.
 */
#ifndef SK_CASEDB_INT_H
#define SK_CASEDB_INT_H

#include <sqlite3.h>

#include <sakimori/casedb.h>

/** The database handle (owned by db). */
sqlite3 *sk_casedb_sqlite(sk_casedb *db);
/** Set and return the last error: "<case.db path>: <what>: <SQLite's message>". */
int sk_casedb_error(sk_casedb *db, const char *what);

#endif
