using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Assistiv.Platform.Ledger;

/// <summary>
/// A parameterized INSERT for one entity type, generated once from the EF model, so the money layer's raw-SQL
/// transactions insert rows with exactly the columns, names and value conversions EF uses (SQLite: Guid as lowercase
/// text, timestamps as Unix ms; PostgreSQL: uuid, timestamptz). A column added to the entity later is picked up
/// without touching the SQL.
/// </summary>
internal sealed class EntityInserter
{
    private readonly (IProperty Property, RelationalTypeMapping Mapping, string Name)[] _columns;

    public EntityInserter(IEntityType entityType)
    {
        var table = entityType.GetTableName() ?? throw new InvalidOperationException($"{entityType.DisplayName()} has no table.");
        var store = StoreObjectIdentifier.Table(table, entityType.GetSchema());
        var properties = entityType.GetProperties().ToArray();
        _columns = new (IProperty, RelationalTypeMapping, string)[properties.Length];
        var sql = new StringBuilder("INSERT INTO \"").Append(table).Append("\" (");
        var values = new StringBuilder(") VALUES (");
        for (var i = 0; i < properties.Length; i++)
        {
            var p = properties[i];
            var name = "@c" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _columns[i] = (p, p.GetRelationalTypeMapping(), name);
            if (i > 0)
            {
                sql.Append(", ");
                values.Append(", ");
            }

            sql.Append('"').Append(p.GetColumnName(store)).Append('"');
            values.Append(name);
        }

        Sql = sql.Append(values).Append(')').ToString();
    }

    public string Sql { get; }

    /// <summary>Binds <paramref name="entity"/>'s values (converted by each column's type mapping) to <paramref name="command"/>.</summary>
    public void Bind(DbCommand command, object entity)
    {
        foreach (var (property, mapping, name) in _columns)
        {
            var value = property.GetGetter().GetClrValueUsingContainingEntity(entity);
            command.Parameters.Add(mapping.CreateParameter(command, name, value, property.IsNullable));
        }
    }
}
