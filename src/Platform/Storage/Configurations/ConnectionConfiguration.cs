using Assistiv.Platform.Connections;
using Assistiv.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class ConnectionConfiguration : IEntityTypeConfiguration<ConnectionRecord>
{
    public void Configure(EntityTypeBuilder<ConnectionRecord> b)
    {
        b.ToTable("connections");
        b.HasKey(x => x.Id);
        b.Property(x => x.App).HasMaxLength(32).IsRequired();
        b.Property(x => x.Status).HasMaxLength(16).IsRequired();
        b.HasIndex(x => new { x.PlatformId, x.EndUserId, x.App }).IsUnique();
        b.HasIndex(x => new { x.PlatformId, x.App, x.Status });
        b.HasOne<PlatformRecord>().WithMany().HasForeignKey(x => x.PlatformId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<EndUserRecord>().WithMany().HasForeignKey(x => x.EndUserId).OnDelete(DeleteBehavior.Restrict);
    }
}
