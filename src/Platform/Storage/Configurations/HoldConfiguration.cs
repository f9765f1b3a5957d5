using Assistiv.Platform.Holds;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class HoldConfiguration : IEntityTypeConfiguration<HoldRecord>
{
    public void Configure(EntityTypeBuilder<HoldRecord> b)
    {
        b.ToTable("holds");
        b.HasKey(x => x.Id);
        b.Property(x => x.RequestId).HasMaxLength(40).IsRequired();
        b.Property(x => x.RequestType).HasMaxLength(24).IsRequired();
        b.Property(x => x.InstanceId).HasMaxLength(200).IsRequired();
        // No foreign keys: holds are the hottest insert/delete pair and live for one call; the budget and wallet rows
        // they count against are locked in the same transaction instead.
        b.HasIndex(x => x.InstanceId);
        b.HasIndex(x => x.CreatedAt);
        b.HasIndex(x => x.BudgetId);
    }
}
