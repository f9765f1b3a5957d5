using Assistiv.Platform.UsageLogs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class UsageLogConfiguration : IEntityTypeConfiguration<UsageLogRecord>
{
    public void Configure(EntityTypeBuilder<UsageLogRecord> b)
    {
        b.ToTable("usage_logs");
        b.HasKey(x => x.Id);
        b.Property(x => x.RequestId).HasMaxLength(40).IsRequired();
        b.Property(x => x.RequestType).HasMaxLength(24).IsRequired();
        b.Property(x => x.Status).HasMaxLength(16).IsRequired();
        b.Property(x => x.BillingStatus).HasMaxLength(16).IsRequired();
        // Newest-first cursor pages (API.md §0.2) per platform and per end user.
        b.HasIndex(x => new { x.PlatformId, x.CreatedAt, x.Id });
        b.HasIndex(x => new { x.PlatformId, x.EndUserId, x.CreatedAt, x.Id });
        b.HasIndex(x => x.RequestId);
    }
}
