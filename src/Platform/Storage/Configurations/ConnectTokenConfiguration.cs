using Assistiv.Platform.Connections;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class ConnectTokenConfiguration : IEntityTypeConfiguration<ConnectTokenRecord>
{
    public void Configure(EntityTypeBuilder<ConnectTokenRecord> b)
    {
        b.ToTable("connect_tokens");
        b.HasKey(x => x.Id);
        b.Property(x => x.TokenHash).HasMaxLength(64).IsRequired();
        b.HasIndex(x => x.TokenHash).IsUnique();
        b.HasIndex(x => x.ExpiresAt);
        b.Property(x => x.App).HasMaxLength(32).IsRequired();
    }
}
