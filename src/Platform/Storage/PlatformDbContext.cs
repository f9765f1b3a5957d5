using Assistiv.Platform.Budgets;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Idempotency;
using Assistiv.Platform.Holds;
using Assistiv.Platform.Keys;
using Assistiv.Platform.LlmConfigs;
using Assistiv.Platform.Metering;
using Assistiv.Platform.RateLimits;
using Assistiv.Platform.Outbox;
using Assistiv.Platform.Tenancy;
using Assistiv.Platform.UsageLogs;
using Assistiv.Platform.Wallet;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.Storage;

/// <summary>
/// The gateway's database. Two sealed subclasses, <see cref="Sqlite.SqlitePlatformDbContext"/> and
/// <see cref="Postgres.PostgresPlatformDbContext"/>, each carry their own migration set (STYLE.md §5).
/// It also holds the Data Protection key ring (API.md §3.2).
/// </summary>
public abstract class PlatformDbContext : DbContext, IDataProtectionKeyContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="options">Provider options.</param>
    protected PlatformDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>Platforms.</summary>
    public DbSet<PlatformRecord> Platforms => Set<PlatformRecord>();

    /// <summary>End users.</summary>
    public DbSet<EndUserRecord> EndUsers => Set<EndUserRecord>();

    /// <summary>API keys.</summary>
    public DbSet<ApiKeyRecord> ApiKeys => Set<ApiKeyRecord>();

    /// <summary>Activated MCP apps.</summary>
    public DbSet<McpAppRecord> McpApps => Set<McpAppRecord>();

    /// <summary>OAuth connections.</summary>
    public DbSet<ConnectionRecord> Connections => Set<ConnectionRecord>();

    /// <summary>OAuth states.</summary>
    public DbSet<OAuthStateRecord> OAuthStates => Set<OAuthStateRecord>();

    /// <summary>Connect link tokens.</summary>
    public DbSet<ConnectTokenRecord> ConnectTokens => Set<ConnectTokenRecord>();

    /// <summary>Usage log rows.</summary>
    public DbSet<UsageLogRecord> UsageLogs => Set<UsageLogRecord>();

    /// <summary>MCP free-tier counters.</summary>
    public DbSet<McpFreeTierRecord> McpFreeTier => Set<McpFreeTierRecord>();

    /// <summary>Idempotency records (API.md §11.3).</summary>
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    /// <summary>Platform default rate limits (API.md §4.8).</summary>
    public DbSet<PlatformRateLimitRecord> PlatformRateLimits => Set<PlatformRateLimitRecord>();

    /// <summary>Per-end-user rate-limit overrides (API.md §4.8).</summary>
    public DbSet<EndUserRateLimitRecord> EndUserRateLimits => Set<EndUserRateLimitRecord>();

    /// <summary>LLM provider configs (API.md §4.3).</summary>
    public DbSet<LlmConfigRecord> LlmConfigs => Set<LlmConfigRecord>();
    /// <summary>End-user budgets (API.md §4.6).</summary>
    public DbSet<BudgetRecord> Budgets => Set<BudgetRecord>();

    /// <summary>Budget ledger rows (API.md §5.2).</summary>
    public DbSet<BudgetTransactionRecord> BudgetTransactions => Set<BudgetTransactionRecord>();

    /// <summary>Platform wallets (API.md §4.7).</summary>
    public DbSet<WalletRecord> Wallets => Set<WalletRecord>();

    /// <summary>Wallet ledger rows (API.md §4.7).</summary>
    public DbSet<WalletTransactionRecord> WalletTransactions => Set<WalletTransactionRecord>();

    /// <summary>Open holds (API.md §5.6).</summary>
    public DbSet<HoldRecord> Holds => Set<HoldRecord>();

    /// <summary>Webhook outbox events (API.md §10.4).</summary>
    public DbSet<OutboxEventRecord> OutboxEvents => Set<OutboxEventRecord>();

    /// <summary>The Data Protection key ring (API.md §3.2).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>True for the SQLite provider (single instance; in-process locks suffice, API.md §1.4).</summary>
    public abstract bool IsSqlite { get; }

    /// <inheritdoc/>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PlatformDbContext).Assembly);
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
    }
}
