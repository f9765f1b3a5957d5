using Assistiv.Platform.Connections;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class OAuthStateConfiguration : IEntityTypeConfiguration<OAuthStateRecord>
{
    public void Configure(EntityTypeBuilder<OAuthStateRecord> b)
    {
        b.ToTable("oauth_states");
        b.HasKey(x => x.Id);
        b.Property(x => x.StateHash).HasMaxLength(64).IsRequired();
        b.HasIndex(x => x.StateHash).IsUnique();
        b.HasIndex(x => x.ExpiresAt);
        b.Property(x => x.App).HasMaxLength(32).IsRequired();
    }
}
