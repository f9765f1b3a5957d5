using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Assistiv.Platform.Ledger;

/// <summary>
/// A parameterized INSERT for one entity type, generated from the EF model, so the money layer's raw-SQL transactions
/// insert rows with exactly the columns, names and value conversions EF uses (SQLite: Guid as lowercase text,
/// timestamps as Unix ms; PostgreSQL: uuid, timestamptz). A column added to the entity later is picked up without
/// touching the SQL. Columns whose value is null are left out of the statement (the model gives no column a default,
/// so an omitted column is NULL): one SQL text per pattern of null columns, cached, and fewer parameters to bind on the
/// money writer's thread (bench/README.md).
/// </summary>
internal sealed class EntityInserter
{
    private readonly (IProperty Property, IClrPropertyGetter Getter, RelationalTypeMapping Mapping, string Name, string Column)[] _columns;
    private readonly string _table;
    private readonly ConcurrentDictionary<ulong, string> _sqlByPresentColumns = new();

    public EntityInserter(IEntityType entityType)
    {
        _table = entityType.GetTableName() ?? throw new InvalidOperationException($"{entityType.DisplayName()} has no table.");
        var store = StoreObjectIdentifier.Table(_table, entityType.GetSchema());
        var properties = entityType.GetProperties().ToArray();
        if (properties.Length > 64)
        {
            throw new InvalidOperationException($"{entityType.DisplayName()} has more than 64 columns.");
        }

        _columns = new (IProperty, IClrPropertyGetter, RelationalTypeMapping, string, string)[properties.Length];
        for (var i = 0; i < properties.Length; i++)
        {
            var p = properties[i];
            if (p.TryGetDefaultValue(out _) || p.GetDefaultValueSql() is not null || p.GetComputedColumnSql() is not null)
            {
                throw new InvalidOperationException($"{entityType.DisplayName()}.{p.Name} has a default value: an omitted null would not be NULL.");
            }

            _columns[i] = (p, p.GetGetter(), p.GetRelationalTypeMapping(), "@c" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), p.GetColumnName(store)!);
        }
    }

    /// <summary>
    /// The INSERT of <paramref name="entity"/>'s non-null columns on the command <paramref name="commandFor"/> returns for its
    /// SQL text, with the values bound (converted by each column's type mapping).
    /// </summary>
    /// <param name="entity">The row.</param>
    /// <param name="commandFor">Returns a command for a SQL text, with no parameters.</param>
    public DbCommand Prepare(object entity, Func<string, DbCommand> commandFor)
    {
        var values = new object?[_columns.Length];
        ulong present = 0;
        for (var i = 0; i < _columns.Length; i++)
        {
            values[i] = _columns[i].Getter.GetClrValueUsingContainingEntity(entity);
            if (values[i] is not null)
            {
                present |= 1UL << i;
            }
        }

        var command = commandFor(_sqlByPresentColumns.GetOrAdd(present, Sql));
        for (var i = 0; i < _columns.Length; i++)
        {
            if (values[i] is { } value)
            {
                var (property, _, mapping, name, _) = _columns[i];
                command.Parameters.Add(mapping.CreateParameter(command, name, value, property.IsNullable));
            }
        }

        return command;
    }

    private string Sql(ulong present)
    {
        var sql = new StringBuilder("INSERT INTO \"").Append(_table).Append("\" (");
        var values = new StringBuilder(") VALUES (");
        var first = true;
        for (var i = 0; i < _columns.Length; i++)
        {
            if ((present & (1UL << i)) == 0)
            {
                continue;
            }

            if (!first)
            {
                sql.Append(", ");
                values.Append(", ");
            }

            first = false;
            sql.Append('"').Append(_columns[i].Column).Append('"');
            values.Append(_columns[i].Name);
        }

        return sql.Append(values).Append(')').ToString();
    }
}
