using Assistiv.Platform.Budgets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class BudgetTransactionConfiguration : IEntityTypeConfiguration<BudgetTransactionRecord>
{
    public void Configure(EntityTypeBuilder<BudgetTransactionRecord> b)
    {
        b.ToTable("budget_transactions");
        b.HasKey(x => x.Id);
        b.Property(x => x.Type).HasMaxLength(24).IsRequired();
        b.Property(x => x.Direction).HasMaxLength(8).IsRequired();
        b.Property(x => x.Reason).HasMaxLength(500);
        b.Property(x => x.RequestId).HasMaxLength(40);
        // Cursor pages in both orders (API.md §0.2, §4.6) walk this index.
        b.HasIndex(x => new { x.BudgetId, x.CreatedAt, x.Id });
        b.HasOne<BudgetRecord>().WithMany().HasForeignKey(x => x.BudgetId).OnDelete(DeleteBehavior.Restrict);
    }
}
