using Assistiv.Platform.Metering;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class McpFreeTierConfiguration : IEntityTypeConfiguration<McpFreeTierRecord>
{
    public void Configure(EntityTypeBuilder<McpFreeTierRecord> b)
    {
        b.ToTable("mcp_free_tier");
        b.HasKey(x => new { x.PlatformId, x.Month });
        b.Property(x => x.Month).HasMaxLength(7);
    }
}
