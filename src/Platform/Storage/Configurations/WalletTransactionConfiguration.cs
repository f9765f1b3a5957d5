using Assistiv.Platform.Wallet;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class WalletTransactionConfiguration : IEntityTypeConfiguration<WalletTransactionRecord>
{
    public void Configure(EntityTypeBuilder<WalletTransactionRecord> b)
    {
        b.ToTable("wallet_transactions");
        b.HasKey(x => x.Id);
        b.Property(x => x.Type).HasMaxLength(24).IsRequired();
        b.Property(x => x.Direction).HasMaxLength(8).IsRequired();
        b.Property(x => x.Description).HasMaxLength(500);
        b.Property(x => x.RequestId).HasMaxLength(40);
        b.HasIndex(x => new { x.WalletId, x.CreatedAt, x.Id });
        b.HasOne<WalletRecord>().WithMany().HasForeignKey(x => x.WalletId).OnDelete(DeleteBehavior.Restrict);
    }
}
