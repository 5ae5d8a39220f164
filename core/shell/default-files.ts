// The files every simulated machine starts with (a Debian-style host, as on a kubeadm node).

export function defaultFiles(hostname: string): Record<string, string> {
  return {
    "/etc/hostname": `${hostname}\n`,
    "/etc/hosts": `127.0.0.1\tlocalhost\n127.0.1.1\t${hostname}\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n`,
    "/etc/sysctl.conf": sysctlConf,
    "/etc/network/interfaces": `# This file describes the network interfaces available on your system\n# and how to activate them. For more information, see interfaces(5).\n\nsource /etc/network/interfaces.d/*\n\n# The loopback network interface\nauto lo\niface lo inet loopback\n`,
    "/etc/os-release": `PRETTY_NAME="Ubuntu 22.04.5 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.5 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nHOME_URL="https://www.ubuntu.com/"\nSUPPORT_URL="https://help.ubuntu.com/"\nBUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"\nUBUNTU_CODENAME=jammy\n`,
    "/etc/resolv.conf": `nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n`,
    "/etc/services": services,
    "/root/.bashrc": `# ~/.bashrc: executed by bash(1) for non-login shells.\nalias ll='ls -alF'\n`,
    "/tmp/.keep": "",
    "/etc/sysctl.d/README.sysctl": "Files in /etc/sysctl.d/ are read by systemd-sysctl at boot.\n",
  };
}

const sysctlConf = `#
# /etc/sysctl.conf - Configuration file for setting system variables
# See /etc/sysctl.d/ for additional system variables.
# See sysctl.conf (5) for information.
#

#kernel.domainname = example.com

# Uncomment the following to stop low-level messages on console
#kernel.printk = 3 4 1 3

###################################################################
# Functions previously found in netbase
#

# Uncomment the next two lines to enable Spoof protection (reverse-path filter)
# Turn on Source Address Verification in all interfaces to
# prevent some spoofing attacks
#net.ipv4.conf.default.rp_filter=1
#net.ipv4.conf.all.rp_filter=1

# Uncomment the next line to enable TCP/IP SYN cookies
# See http://lwn.net/Articles/277146/
# Note: This may impact IPv6 TCP sessions too
#net.ipv4.tcp_syncookies=1

# Uncomment the next line to enable packet forwarding for IPv4
#net.ipv4.ip_forward=1
`;

const services = `ftp\t\t21/tcp
ssh\t\t22/tcp
telnet\t\t23/tcp
smtp\t\t25/tcp
domain\t\t53/tcp
domain\t\t53/udp
http\t\t80/tcp\t\twww
ntp\t\t123/udp
https\t\t443/tcp
http-alt\t8080/tcp\twebcache
`;
