using Assistiv.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.LlmConfigs;

internal sealed class LlmConfigConfiguration : IEntityTypeConfiguration<LlmConfigRecord>
{
    public void Configure(EntityTypeBuilder<LlmConfigRecord> b)
    {
        b.ToTable("llm_configs");
        b.HasKey(x => x.Id);
        b.Property(x => x.Provider).HasMaxLength(32).IsRequired();
        b.Property(x => x.Name).HasMaxLength(100).IsRequired();
        b.Property(x => x.BaseUrl).HasMaxLength(2048);
        b.Property(x => x.ApiKeyHint).HasMaxLength(16);
        b.HasIndex(x => new { x.PlatformId, x.CreatedAt, x.Id });
        b.HasOne<PlatformRecord>().WithMany().HasForeignKey(x => x.PlatformId).OnDelete(DeleteBehavior.Cascade);
    }
}
