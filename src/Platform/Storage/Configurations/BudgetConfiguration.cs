using Assistiv.Platform.Budgets;
using Assistiv.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class BudgetConfiguration : IEntityTypeConfiguration<BudgetRecord>
{
    public void Configure(EntityTypeBuilder<BudgetRecord> b)
    {
        b.ToTable("budgets");
        b.HasKey(x => x.Id);
        b.Property(x => x.ExternalId).HasMaxLength(255).IsRequired();
        b.Property(x => x.Period).HasMaxLength(16).IsRequired();
        // One active budget per end user (API.md §4.6): the partial unique index makes a concurrent double create fail
        // (409 budget_exists) and is the lookup path of the reserve UPDATE. `is_active` alone is a valid predicate on
        // both providers (SQLite: non-zero integer; PostgreSQL: boolean).
        b.HasIndex(x => x.EndUserId).IsUnique().HasFilter("is_active");
        b.HasIndex(x => new { x.EndUserId, x.CreatedAt });
        b.HasIndex(x => new { x.IsActive, x.PeriodEnd });
        b.HasOne<PlatformRecord>().WithMany().HasForeignKey(x => x.PlatformId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<EndUserRecord>().WithMany().HasForeignKey(x => x.EndUserId).OnDelete(DeleteBehavior.Restrict);
    }
}
