using System.Collections.Frozen;
using Assistiv.Platform.Budgets;
using Assistiv.Platform.Holds;
using Assistiv.Platform.Metering;
using Assistiv.Platform.Outbox;
using Assistiv.Platform.Storage;
using Assistiv.Platform.UsageLogs;
using Assistiv.Platform.Wallet;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.Ledger;

/// <summary>What the money layer's raw-SQL transactions need to know about the database: the provider and the
/// INSERT statements of the rows they write, built once from the EF model.</summary>
internal sealed class MoneyDatabase
{
    private readonly FrozenDictionary<Type, EntityInserter> _inserters;

    public MoneyDatabase(IDbContextFactory<PlatformDbContext> factory, StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(storage);
        using var db = factory.CreateDbContext();
        IsSqlite = db.IsSqlite;
        ConnectionString = storage.ConnectionString;
        Type[] types =
        [
            typeof(BudgetTransactionRecord), typeof(WalletTransactionRecord), typeof(WalletRecord), typeof(HoldRecord),
            typeof(OutboxEventRecord), typeof(UsageLogRecord), typeof(McpFreeTierRecord),
        ];
        _inserters = types.ToFrozenDictionary(t => t, t => new EntityInserter(
            db.Model.FindEntityType(t) ?? throw new InvalidOperationException($"{t.Name} is not in the model.")));
    }

    public bool IsSqlite { get; }

    public string ConnectionString { get; }

    public EntityInserter Inserter<T>() => _inserters[typeof(T)];
}
