using Assistiv.Platform.Holds;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assistiv.Platform.Storage.Configurations;

internal sealed class HoldConfiguration : IEntityTypeConfiguration<HoldRecord>
{
    public void Configure(EntityTypeBuilder<HoldRecord> b)
    {
        b.ToTable("holds");
        b.HasKey(x => x.Id);
        b.Property(x => x.RequestId).HasMaxLength(40).IsRequired();
        b.Property(x => x.RequestType).HasMaxLength(24).IsRequired();
        b.Property(x => x.InstanceId).HasMaxLength(200).IsRequired();
        // No foreign keys and no secondary indexes: holds are the hottest insert/delete pair and the table only holds open
        // reservations (at most the calls in flight), so the rare scans (start-up recovery by instance, the sweeper by
        // age, budget deactivation) read a handful of rows, while every index would cost each reserve and settle.
    }
}
