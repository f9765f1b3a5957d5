using Assistiv.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class EndUserConfiguration : IEntityTypeConfiguration<EndUserRecord>
{
    public void Configure(EntityTypeBuilder<EndUserRecord> b)
    {
        b.ToTable("end_users");
        b.HasKey(x => x.Id);
        b.Property(x => x.ExternalId).HasMaxLength(255).IsRequired();
        b.Property(x => x.DisplayName).HasMaxLength(100);
        // external_id is unique per platform among non-deleted users (API.md §12); the partial index is what makes a
        // concurrent double create fail instead of racing (STYLE.md §0.10).
        b.HasIndex(x => new { x.PlatformId, x.ExternalId }).IsUnique().HasFilter("deleted_at IS NULL");
        b.HasIndex(x => new { x.PlatformId, x.CreatedAt, x.Id });
        b.HasOne<PlatformRecord>().WithMany().HasForeignKey(x => x.PlatformId).OnDelete(DeleteBehavior.Restrict);
    }
}
