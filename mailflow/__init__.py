"""mailflow: runs the MONA working groups from one mailbox."""
