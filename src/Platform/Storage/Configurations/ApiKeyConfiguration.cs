using Assistiv.Platform.Keys;
using Assistiv.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKeyRecord>
{
    public void Configure(EntityTypeBuilder<ApiKeyRecord> b)
    {
        b.ToTable("api_keys");
        b.HasKey(x => x.Id);
        b.Property(x => x.Type).HasConversion<int>();
        b.Property(x => x.KeyHash).HasMaxLength(64).IsRequired();
        b.HasIndex(x => x.KeyHash).IsUnique();
        b.Property(x => x.KeyPrefix).HasMaxLength(12).IsRequired();
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Scopes).HasMaxLength(64).IsRequired();
        b.HasIndex(x => new { x.PlatformId, x.Type, x.CreatedAt });
        b.HasIndex(x => new { x.EndUserId, x.IsActive });
        b.HasOne<PlatformRecord>().WithMany().HasForeignKey(x => x.PlatformId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<EndUserRecord>().WithMany().HasForeignKey(x => x.EndUserId).OnDelete(DeleteBehavior.Restrict);
    }
}
