from odoo.tools import SQL


def temporary_snapshot(cr, table, query):
    """Run ``query`` (rows with a ``partner_id``) once into the temporary table
    ``table``, for a run of batches: kept across the batches' commits, rebuilt
    by every run, indexed by partner for the batches' lookups. Created from the
    query (rather than inserted into) so that PostgreSQL may aggregate in
    parallel, as for the query alone. Returns the SQL that reads it."""
    table = SQL.identifier(table)
    cr.execute(
        SQL(
            """
        DROP TABLE IF EXISTS %(table)s;
        CREATE TEMPORARY TABLE %(table)s AS %(query)s;
        CREATE INDEX ON %(table)s (partner_id);
        ANALYZE %(table)s;
            """,
            table=table,
            query=query,
        )
    )
    return SQL("SELECT * FROM %s", table)
