using Assistiv.Platform.Tenancy;
using Assistiv.Platform.Wallet;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class WalletConfiguration : IEntityTypeConfiguration<WalletRecord>
{
    public void Configure(EntityTypeBuilder<WalletRecord> b)
    {
        b.ToTable("wallets");
        b.HasKey(x => x.Id);
        b.HasIndex(x => x.PlatformId).IsUnique();
        b.HasOne<PlatformRecord>().WithMany().HasForeignKey(x => x.PlatformId).OnDelete(DeleteBehavior.Restrict);
    }
}
