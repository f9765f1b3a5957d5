using Assistiv.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class PlatformConfiguration : IEntityTypeConfiguration<PlatformRecord>
{
    public void Configure(EntityTypeBuilder<PlatformRecord> b)
    {
        b.ToTable("platforms");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(100).IsRequired();
        b.Property(x => x.Slug).HasMaxLength(63).IsRequired();
        b.HasIndex(x => x.Slug).IsUnique();
        b.Property(x => x.MarkupPercentage).HasPrecision(9, 4);
    }
}
