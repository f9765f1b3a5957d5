using Assistiv.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.RateLimits;

internal sealed class PlatformRateLimitConfiguration : IEntityTypeConfiguration<PlatformRateLimitRecord>
{
    public void Configure(EntityTypeBuilder<PlatformRateLimitRecord> b)
    {
        b.ToTable("platform_rate_limits");
        b.HasKey(x => x.PlatformId);
        b.HasOne<PlatformRecord>().WithMany().HasForeignKey(x => x.PlatformId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class EndUserRateLimitConfiguration : IEntityTypeConfiguration<EndUserRateLimitRecord>
{
    public void Configure(EntityTypeBuilder<EndUserRateLimitRecord> b)
    {
        b.ToTable("end_user_rate_limits");
        b.HasKey(x => x.EndUserId);
        b.HasIndex(x => x.PlatformId);
        b.HasOne<EndUserRecord>().WithMany().HasForeignKey(x => x.EndUserId).OnDelete(DeleteBehavior.Cascade);
    }
}
