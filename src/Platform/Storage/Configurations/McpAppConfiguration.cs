using Assistiv.Platform.Connections;
using Assistiv.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class McpAppConfiguration : IEntityTypeConfiguration<McpAppRecord>
{
    public void Configure(EntityTypeBuilder<McpAppRecord> b)
    {
        b.ToTable("mcp_apps");
        b.HasKey(x => x.Id);
        b.Property(x => x.App).HasMaxLength(32).IsRequired();
        b.HasIndex(x => new { x.PlatformId, x.App }).IsUnique();
        b.HasOne<PlatformRecord>().WithMany().HasForeignKey(x => x.PlatformId).OnDelete(DeleteBehavior.Restrict);
    }
}
