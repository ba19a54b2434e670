/* A driver for SQLite (Debian's libsqlite3.a for arm64, linked statically by
 * tests/interpreters.rs): builds a table of N rows with a recursive query, indexes it and runs
 * aggregates, grouping, joins, window functions, JSON, printf of doubles, updates, deletes, VACUUM
 * and an integrity check, printing every row. The bytecode engine (sqlite3VdbeExec) runs all of
 * it: one very large function whose switch dispatch reads its table base back from the stack. */
#include <stdio.h>
#include <stdlib.h>
#include "sqlite3.h"

static int print_row(void *unused, int columns, char **values, char **names) {
    (void)unused, (void)names;
    for (int i = 0; i < columns; i++) {
        printf("%s%s", i ? "|" : "", values[i] ? values[i] : "NULL");
    }
    printf("\n");
    return 0;
}

static void run(sqlite3 *db, const char *sql) {
    char *error = 0;
    if (sqlite3_exec(db, sql, print_row, 0, &error) != SQLITE_OK) {
        printf("error: %s\n", error);
        sqlite3_free(error);
    }
}

int main(int argc, char **argv) {
    int rows = argc > 1 ? atoi(argv[1]) : 20000;
    sqlite3 *db;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
        printf("cannot open the database\n");
        return 1;
    }
    char sql[512];
    run(db, "create table t(id integer primary key, a int, b real, s text);");
    snprintf(sql, sizeof sql,
             "with recursive c(x) as (select 1 union all select x+1 from c where x<%d) "
             "insert into t select x, (x*7919)%%1000, x*1.5/7.0, printf('s%%05d-%%x', (x*31)%%9973, x) from c;",
             rows);
    run(db, sql);
    run(db, "create index ta on t(a);");
    run(db, "select count(*), sum(a), round(avg(b),6), min(s), max(s) from t;");
    run(db, "select a, count(*), round(sum(b),3) from t group by a order by 2 desc, 1 limit 5;");
    run(db, "select s, upper(substr(s,2,3)), length(s), hex(s) from t where a between 10 and 12 order by s limit 5;");
    run(db, "select t1.id, t2.id from t t1 join t t2 on t1.a = t2.a and t1.id < t2.id where t1.id < 50 order by 1,2 limit 5;");
    run(db, "select id, a, sum(a) over (order by id rows 3 preceding), rank() over (partition by a%3 order by b) from t where id < 8;");
    run(db, "select json_object('id', id, 'b', b, 'arr', json_array(a, s)) from t where id in (1,2,3);");
    run(db, "select printf('%.10g %e %5.2f', b, b*1e10, b), cast(b as int), b/0.3 from t where id % 4999 = 1;");
    run(db, "select group_concat(id, ',') from (select id from t order by b desc limit 10);");
    run(db, "update t set s = s || '!' where a % 100 = 0; delete from t where id % 3 = 0;");
    run(db, "select count(*), total(length(s)) from t;");
    run(db, "select typeof(1.0), 1e308*10, -1e308*10, 9223372036854775807+1, abs(-5), likely(3);");
    run(db, "vacuum; pragma integrity_check;");
    sqlite3_close(db);
    return 0;
}
